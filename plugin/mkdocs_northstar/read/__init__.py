"""Reading plan files: the key table, front matter, records and the scan of a folder."""
