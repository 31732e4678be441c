"""The MkDocs adapter: the only part of Northstar that imports MkDocs or Markdown."""
