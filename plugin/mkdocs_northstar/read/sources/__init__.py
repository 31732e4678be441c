"""Reading other strategies named as sources: config.py (the options), reading.py
(path and export sources), git.py (git sources), store.py (the results and their cache)."""
