"""The MkDocs plugin's typed options. MkDocs checks the types; the deeper checks
(rule ids, severities, url_prefix) are the core's `settings.validate_options`,
shared with the command line."""

from mkdocs.config import config_options as option
from mkdocs.config.base import Config


class NorthstarConfig(Config):
    # Folder of plan files, relative to mkdocs.yml (outside docs_dir).
    plans_dir = option.Type(str, default="plans")
    # Folder of the site where the generated pages live.
    url_prefix = option.Type(str, default="strategy")
    # Rule id -> error | warning | off.
    rules = option.Type(dict, default={})
