"""The MkDocs plugin's typed options. MkDocs checks the types; the deeper checks
(rule ids, severities, url_prefix, a plans_dir inside the project) are the core's
`settings.validate_options` and `settings.check_inside`, shared with the command line."""

import datetime
from pathlib import Path

from mkdocs.config import config_options as option
from mkdocs.config.base import Config, ValidationError

from ..settings import PLUGIN_NAME, ConfigError, check_inside, validate_options


class _Place(option.Type):
    """A folder option (plans_dir, url_prefix): refused as a configuration error when it
    leads out of the project, so `mkdocs build` stops before reading anything."""

    def post_validation(self, config: Config, key_name: str) -> None:
        try:
            checked = validate_options({key_name: config[key_name]})
            if key_name == "plans_dir":
                check_inside(Path(config.config_file_path or "mkdocs.yml").resolve().parent, checked[key_name])
        except ConfigError as error:
            raise ValidationError(str(error).removeprefix(f"plugin '{PLUGIN_NAME}': ")) from None


class NorthstarConfig(Config):
    # Folder of plan files, relative to mkdocs.yml (outside docs_dir, inside the project).
    plans_dir = _Place(str, default="plans")
    # Folder of the site where the generated pages live.
    url_prefix = _Place(str, default="strategy")
    # Rule id -> error | warning | off.
    rules = option.Type(dict, default={})
    # Outcomes over time: the day health is judged on (YYYY-MM-DD; default today, or the day
    # of SOURCE_DATE_EPOCH), the health thresholds, and the age of a stale measurement.
    as_of = option.Optional(option.Type((str, datetime.date)))
    health = option.Type(dict, default={"on_track": 0.9, "at_risk": 0.7})
    stale_after_days = option.Type(int, default=30)
    # Contract v1.2: this strategy's name, and the other strategies it reads (checked by
    # the core, each problem a `source` diagnostic at its line of mkdocs.yml).
    name = option.Optional(option.Type(str))
    sources = option.Optional(option.Type(dict))
