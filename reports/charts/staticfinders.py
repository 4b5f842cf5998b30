"""Serve the plotly.js bundle that ships inside the ``plotly`` Python package as a static file.

``{% static "vendor/plotly/plotly.min.js" %}`` then finds the very plotly.js that the
pinned ``plotly`` package was built against: no copy in the repository to keep in step, no
CDN. ``collectstatic`` copies it like any other static file and WhiteNoise serves it (in
development through ``WHITENOISE_USE_FINDERS``).
"""

import os

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor/plotly"
FILES = ("plotly.min.js",)


def package_data_dir() -> str:
    return os.path.join(os.path.dirname(plotly.__file__), "package_data")


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=package_data_dir())
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        directory, _, name = path.replace("\\", "/").rpartition("/")
        if directory == PREFIX and name in FILES:
            match = os.path.join(package_data_dir(), name)
            if os.path.exists(match):
                return [match] if find_all else match
        return [] if find_all else None

    def list(self, ignore_patterns):
        for name in FILES:
            if self.storage.exists(name):
                yield name, self.storage
