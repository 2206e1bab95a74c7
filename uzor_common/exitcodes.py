"""The exit statuses of every Uzor program (daemons, the configurator, ``uzor-license``).

systemd units rely on them: ``uzor-agency@.service`` has ``RestartPreventExitStatus=2 3``, so a
bad configuration (2) or no valid license (3) is not restarted in a loop. The numbers are kept
as they were when each program had its own table.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # a failure that has been reported (a step failed, an internal error)
    USAGE = 2  # a bad command line, option value or answers file
    BAD_CONFIG = 2  # a bad configuration file (one line naming file and key); same as USAGE
    LICENSE_MISSING = 3
    # a daemon refuses to start: no valid license (the agency), a failed system check (the
    # admin); systemd does not restart it
    REFUSED_TO_START = 3
    LICENSE_MALFORMED = 4
    BAD_SIGNATURE = 5
    UNKNOWN_KEY = 6
    WRONG_SERVER = 7
    EXPIRED = 8
    NOT_YET_VALID = 9
    KEY_ERROR = 10  # a public or private key file cannot be used
    BAD_SERVER_ID = 11
    FILE_ERROR = 12  # a file cannot be read or written
    ABORTED = 130  # Ctrl-C, or the input ended (128 + SIGINT, as shells report it)


NO_LICENSE = ExitCode.REFUSED_TO_START  # what a daemon exits with when the license gate refuses
