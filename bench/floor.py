"""The floor `northstar check` is measured against: read every plan file and parse
its front matter with libyaml, nothing else. No tool that reads the same YAML can be
faster than this by much.

Usage: python floor.py PLANS_DIR
"""

import os
import sys

import yaml


def main(plans_dir: str) -> int:
    parsed = 0
    for folder, _, names in os.walk(plans_dir):
        for name in names:
            if not name.endswith(".md"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                text = handle.read()
            _, matter, _ = text.split("---\n", 2)
            yaml.load(matter, Loader=yaml.CSafeLoader)
            parsed += 1
    print(parsed, "files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
