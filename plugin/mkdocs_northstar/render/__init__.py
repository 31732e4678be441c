"""The strategy as pages: text escaping (`text`), URLs (`urls`), plan bodies (`bodies`),
HTML fragments (`html`), SVG drawings (`maps`, `charts`, `timeline`), raw HTML set aside
from Python-Markdown (`aside`) and the templates that make each page (`pages`)."""
