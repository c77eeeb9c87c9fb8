"""The Remote Desktop Services session a process runs in (Windows only).

The scanner lists only the applications of the customer's own logon session: on a
terminal server other users' programs run as well, and they are not on this screen.
psutil does not expose the session, so this is the one Windows call the scanner needs.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    # BOOL ProcessIdToSessionId(DWORD dwProcessId, DWORD *pSessionId)  (processthreadsapi.h)
    _process_id_to_session_id = _kernel32.ProcessIdToSessionId
    _process_id_to_session_id.argtypes = (wintypes.DWORD, ctypes.POINTER(wintypes.DWORD))
    _process_id_to_session_id.restype = wintypes.BOOL


def session_of(pid: int) -> int | None:
    """The session id of ``pid``; None when Windows does not tell (the process is gone,
    or protected: the call needs PROCESS_QUERY_INFORMATION access to it) or elsewhere."""
    if sys.platform == "win32":
        session = wintypes.DWORD()
        if _process_id_to_session_id(pid, ctypes.byref(session)):
            return int(session.value)
    return None
