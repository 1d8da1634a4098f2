"""Files the program reads at run time: the CJK font and the compiled translations.

Installed as the package `app.resources` (setup.py maps this folder there), so a wheel, an
editable install and the one-folder bundle all find them with `app.config.resource(...)`.
"""
