"""Reading the plugin's settings from mkdocs.yml without MkDocs, the way users write it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MKDOCS, NORTHSTAR, run, write
from mkdocs_northstar.settings import ConfigError, read_settings, validate_options


def settings_of(tmp_path: Path, config: str, **files: str):
    write(tmp_path, {"mkdocs.yml": config, **files})
    return read_settings(tmp_path / "mkdocs.yml")


def test_defaults_when_the_plugin_has_no_options(tmp_path):
    settings = settings_of(tmp_path, "site_name: S\nplugins:\n  - search\n  - northstar\n")
    assert (settings.plans_dir, settings.url_prefix, dict(settings.rules)) == ("plans", "strategy", {})
    assert settings.root == tmp_path.resolve()
    assert (settings.docs_dir, settings.repo_url, settings.edit_uri) == ("docs", None, None)


def test_options_as_list_entry(tmp_path):
    settings = settings_of(tmp_path, """\
        site_name: S
        docs_dir: documentation
        repo_url: https://example.com/r
        edit_uri: blob/main/documentation/
        plugins:
          - search
          - northstar:
              plans_dir: strategy/plans
              url_prefix: /company/strategy/
              rules:
                uncovered-objective: error
                missing-narrative: off
        """)
    assert settings.plans_dir == "strategy/plans"
    assert settings.url_prefix == "company/strategy"
    assert dict(settings.rules) == {"uncovered-objective": "error", "missing-narrative": "off"}
    assert (settings.docs_dir, settings.repo_url, settings.edit_uri) == (
        "documentation", "https://example.com/r", "blob/main/documentation/")
    assert settings.plans_root == (tmp_path / "strategy/plans").resolve()


def test_plugins_as_mapping(tmp_path):
    settings = settings_of(tmp_path, """\
        site_name: S
        plugins:
          search: {}
          northstar:
            url_prefix: plans-site
        """)
    assert settings.url_prefix == "plans-site"


def test_mkdocs_tags_are_tolerated(tmp_path, monkeypatch):
    monkeypatch.setenv("NORTHSTAR_PLANS", "roadmap")
    monkeypatch.delenv("UNSET_FOR_TEST", raising=False)
    settings = settings_of(tmp_path, """\
        site_name: !ENV [SITE_NAME_UNSET_FOR_TEST, "Fallback"]
        repo_url: !ENV UNSET_FOR_TEST
        markdown_extensions:
          - pymdownx.emoji:
              emoji_index: !!python/name:material.extensions.emoji.twemoji
              emoji_generator: !!python/name:material.extensions.emoji.to_svg
          - pymdownx.superfences:
              custom_fences:
                - name: mermaid
                  class: mermaid
                  format: !!python/name:pymdownx.superfences.fence_code_format
          - pymdownx.snippets:
              base_path: !relative $config_dir
        plugins:
          - northstar:
              plans_dir: !ENV [NORTHSTAR_PLANS, plans]
        """)
    assert settings.plans_dir == "roadmap"
    assert settings.repo_url is None


def test_inherit_merges_like_mkdocs(tmp_path):
    settings = settings_of(tmp_path, """\
        INHERIT: base/common.yml
        plugins:
          - northstar:
              rules:
                empty-theme: error
        """, **{"base/common.yml": """\
        site_name: Base
        repo_url: https://example.com/base
        plugins:
          - northstar:
              plans_dir: elsewhere
        """})
    # plugins is a list, so the child's replaces the parent's; repo_url comes through
    assert settings.plans_dir == "plans"
    assert dict(settings.rules) == {"empty-theme": "error"}
    assert settings.repo_url == "https://example.com/base"
    assert settings.root == tmp_path.resolve()


def test_inherit_merges_mappings_key_by_key(tmp_path):
    settings = settings_of(tmp_path, "INHERIT: base.yml\nplugins:\n  northstar:\n    url_prefix: s2\n",
                           **{"base.yml": "site_name: B\nplugins:\n  northstar:\n    plans_dir: p2\n"})
    assert (settings.plans_dir, settings.url_prefix) == ("p2", "s2")


def test_missing_plugin_entry_means_defaults(tmp_path):
    assert settings_of(tmp_path, "site_name: S\n").plans_dir == "plans"


def test_generic_enabled_option_is_accepted(tmp_path):
    # MkDocs lets every plugin be switched off with `enabled:`; check still reads the rest.
    settings = settings_of(tmp_path, "site_name: S\nplugins:\n  - northstar:\n      enabled: false\n"
                                     "      plans_dir: p\n")
    assert settings.plans_dir == "p"


@pytest.mark.parametrize("options, message", [
    ("plans_dri: x", "unknown option 'plans_dri': did you mean 'plans_dir'?"),
    ("plans_dir: 3", "plans_dir must be a folder name"),
    ("plans_dir: ''", "plans_dir must be a folder name"),
    ("url_prefix: 'a b'", "url_prefix must be a path of letters, digits, '-' and '_'"),
    ("url_prefix: ../up", "url_prefix must be a path"),
    ("rules: [schema]", "rules must map rule ids to error, warning or off"),
    ("rules: {unlinked-plans: off}", "unknown rule 'unlinked-plans': did you mean 'unlinked-plan'?"),
    ("rules: {schema: warn}", "rule 'schema' has severity 'warn'; use one of error, warning, off"),
    ("rules: {schema: true}", "rule 'schema' has severity True"),
    ("enabled: maybe", "enabled must be true or false"),
])
def test_bad_options_are_config_errors(tmp_path, options, message):
    with pytest.raises(ConfigError, match="^plugin 'northstar': ") as error:
        settings_of(tmp_path, f"site_name: S\nplugins:\n  - northstar:\n      {options}\n")
    assert message in str(error.value)


def test_options_must_be_a_mapping():
    with pytest.raises(ConfigError, match="must be a mapping"):
        validate_options(["plans_dir"])


@pytest.mark.parametrize("files, message", [
    ({}, "does not exist"),
    ({"mkdocs.yml": "site_name: [\n"}, "is not valid YAML"),
    ({"mkdocs.yml": "- a\n- b\n"}, "must be a mapping"),
    ({"mkdocs.yml": "INHERIT: mkdocs.yml\n"}, "inherits from itself"),
    ({"mkdocs.yml": "INHERIT: missing.yml\n"}, "missing.yml' does not exist"),
    ({"mkdocs.yml": "site_name: x\nextra: " + "[" * 300 + "]" * 300 + "\n"}, "line 2: nests deeper than 200 levels"),
])
def test_unusable_config_file(tmp_path, files, message):
    write(tmp_path, files)
    with pytest.raises(ConfigError, match=message):
        read_settings(tmp_path / "mkdocs.yml")


def test_not_utf8_config(tmp_path):
    (tmp_path / "mkdocs.yml").write_bytes(b"site_name: \xff\n")
    with pytest.raises(ConfigError, match="cannot read config file"):
        read_settings(tmp_path / "mkdocs.yml")


# --- plans_dir and url_prefix stay inside the project ------------------------------------

OUTSIDE_CONFIG = "site_name: S\nplugins:\n  - northstar:\n      plans_dir: {}\n"


def _project_beside_home(tmp_path: Path) -> Path:
    """A project folder next to a folder it must never publish."""
    write(tmp_path, {"home/secret.md": "---\ntitle: Secret\n---\nnot for the site\n"})
    project = tmp_path / "project"
    write(project, {"docs/index.md": "# Home\n", "plans/objectives/x.md": "---\ntitle: X\n---\n"})
    return project


@pytest.mark.parametrize("plans_dir", ["../home", "plans/../../home", "'{home}'", "'{home}/'"])
def test_plans_dir_outside_the_project_is_a_config_error(tmp_path, plans_dir):
    project = _project_beside_home(tmp_path)
    write(project, {"mkdocs.yml": OUTSIDE_CONFIG.format(plans_dir.format(home=tmp_path / "home"))})
    with pytest.raises(ConfigError, match="plans_dir"):
        read_settings(project / "mkdocs.yml")
    done = run([NORTHSTAR, "check"], cwd=project)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "plans_dir" in done.stderr and "Traceback" not in done.stderr
    assert "secret" not in done.stdout


def test_plans_dir_linking_out_of_the_project_is_a_config_error(tmp_path):
    project = _project_beside_home(tmp_path)
    (project / "strategy").symlink_to(tmp_path / "home")
    write(project, {"mkdocs.yml": OUTSIDE_CONFIG.format("strategy")})
    with pytest.raises(ConfigError, match="outside the project"):
        read_settings(project / "mkdocs.yml")
    done = run([NORTHSTAR, "check"], cwd=project)
    assert done.returncode == 2 and "outside the project" in done.stderr, done.stderr
    built = run([MKDOCS, "build"], cwd=project)
    assert built.returncode != 0
    assert "Aborted with a configuration error" in built.stdout + built.stderr and "outside the project" in built.stderr
    assert not (project / "site" / "strategy").exists()


@pytest.mark.parametrize("plans_dir", [".", "plans", "./plans", "linked"])
def test_plans_dir_inside_the_project_is_accepted(tmp_path, plans_dir):
    project = _project_beside_home(tmp_path)
    (project / "linked").symlink_to(project / "plans")  # a link that stays inside is fine
    write(project, {"mkdocs.yml": OUTSIDE_CONFIG.format(plans_dir)})
    assert read_settings(project / "mkdocs.yml").plans_root.is_relative_to(project.resolve())


@pytest.mark.parametrize("url_prefix", ["..", "../site", "strategy/../..", "a/./b", "/..", "a\\..\\b", "~/x"])
def test_url_prefix_cannot_climb(url_prefix):
    with pytest.raises(ConfigError, match="url_prefix"):
        validate_options({"url_prefix": url_prefix})


def test_mkdocs_build_refuses_plans_dir_outside_as_a_config_error(tmp_path):
    project = _project_beside_home(tmp_path)
    write(project, {"mkdocs.yml": OUTSIDE_CONFIG.format("../home")})
    built = run([MKDOCS, "build"], cwd=project)
    assert built.returncode != 0
    assert "Aborted with a configuration error" in built.stdout + built.stderr and "plans_dir" in built.stderr
    assert not (project / "site").exists()
