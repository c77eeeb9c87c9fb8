"""Running applications that may show confidential data: what runs, and asking it to close.

Public API, imported from the submodule that defines it (this package re-exports
nothing, so that importing the values does not load psutil and the catalogue):

* ``detect``: :func:`~helper.apps.detect.scan` lists the running applications that
  the catalogue flags.
* ``close``: :func:`~helper.apps.close.close_apps` asks them to close, gracefully.
* ``model``: the values both hand out (``DetectedApp``, ``ScanResult``, ``CloseResult``,
  ``CloseStatus``, ``ProcessRef``).
* ``checks``: :func:`~helper.apps.checks.problems`, what is wrong with the apps settings.
* ``catalogue``: the rules behind the scan, with its data file ``catalogue.toml``.

psutil's exceptions never leave this package.
"""
