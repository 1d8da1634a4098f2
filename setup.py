"""The one thing pyproject.toml cannot say: the top-level resources/ folder is installed as the
package `app.resources` (font, translations), so the wheel carries what the program reads."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["app", "app.*"]) + ["app.resources"],
    package_dir={"app.resources": "resources"},
    package_data={
        "app.resources": ["fonts/*.ttc", "fonts/*.txt", "translations/*.qm"],
        "app.db.migrations": ["*.mako", "*.ini", "versions/*.py"],
    },
)
