"""The plugin's options in mkdocs.yml (host/config.py): MkDocs checks their types, the
core checks the rest; either way `mkdocs build` stops with the option named, before
reading a plan."""

from __future__ import annotations

import pytest

from conftest import make_site, mkdocs_build

BASE = "site_name: Options\nplugins:\n  - northstar:\n"


@pytest.mark.parametrize("option, message", [
    ("plans_dir: ../elsewhere", "option 'plans_dir': plans_dir must be a folder inside the project"),
    ("url_prefix: ../up", "option 'url_prefix': "),
    ("rules: [a]", "option 'rules': Expected type: <class 'dict'>"),
    ("plans_dir: 3", "option 'plans_dir': Expected type: <class 'str'>"),
])
def test_a_bad_option_is_a_configuration_error_naming_it(tmp_path, option, message):
    make_site(tmp_path, {"plans/x/broken.md": "not a plan"}, config=BASE + f"      {option}\n")
    result = mkdocs_build(tmp_path)
    assert result.returncode != 0
    assert "Config value 'plugins'" in result.stderr and message in result.stderr, result.stderr
    assert "broken.md" not in result.stderr  # no plan was read


def test_an_unknown_rule_is_refused_by_the_core(tmp_path):
    make_site(tmp_path, config=BASE + "      rules: {no-such-rule: error}\n")
    result = mkdocs_build(tmp_path)
    assert result.returncode != 0 and "unknown rule 'no-such-rule'" in result.stderr, result.stderr


def test_the_defaults_build_the_plans_folder_beside_mkdocs_yml(tmp_path):
    make_site(tmp_path, config=BASE.replace("  - northstar:\n", "  - northstar\n"))
    result = mkdocs_build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "strategy" / "index.html").is_file()
