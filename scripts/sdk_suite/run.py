#!/usr/bin/env python3
"""`make sdk-suite`: Okta's own integration tests, run live against okta-emulator (issue 28).

Okta's Python SDK (okta-sdk-python) ships integration tests whose cassettes were recorded
against real Okta. Run with MOCK_TESTS=false they replay nothing and talk to whatever org
OKTA_CLIENT_ORGURL names: here a fresh okta-emulator, reset before each test. This script

1. obtains the SDK's source at the pinned commit (SDK_SUITE_SOURCE or --source: a local
   directory, a git checkout or a git URL; by default a clone of Okta's repository), kept
   outside the repository's tracked files,
2. installs its requirements and test requirements into .venv-sdk-suite/ (once per source),
3. builds and starts okta-emulator on loopback (no search or log lag, no rate limits),
4. runs the counted test files with reset_plugin.py loaded, and
5. prints one row per family (run, pass) and every failure with its class from
   known_failures.tsv, our reviewed list; a failure the list does not name is "unclassified",
   and then the exit status is 1, so a regression cannot hide in the count.

Nothing of the SDK's source is copied into this repository.
"""

import argparse
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PINNED_COMMIT = "f6850979"
PINNED_VERSION = "3.4.4"
DEFAULT_SOURCE = "https://github.com/okta/okta-sdk-python"
VENV = REPO / ".venv-sdk-suite"
CLONES = REPO / ".sdk-suite"
KNOWN_FAILURES = HERE / "known_failures.tsv"
CLASSES = {
    "emulator-gap": "emulator gap",
    "test-defect": "test defect (fails against real Okta too)",
    "recording-org-data": "recording-org data",
}

# The files issue 28 counts, in the order of its table, with the family each one tests.
FAMILIES = [
    ("test_users_it.py", "users"),
    ("test_groups_it.py", "groups"),
    ("test_role_api_it.py", "custom roles (IAM)"),
    ("test_policies_it.py", "policies and rules"),
    ("test_network_zone_it.py", "network zones"),
    ("test_org_it.py", "org"),
    ("test_api_token_it.py", "api tokens"),
    ("test_applications_it.py", "applications"),
    ("test_auth_server_it.py", "authorization servers"),
]


def fail(message):
    print(f"sdk-suite: {message}", file=sys.stderr)
    sys.exit(2)


def run(command, **options):
    completed = subprocess.run(command, **options)
    if completed.returncode != 0:
        fail(f"`{' '.join(map(str, command))}` exited {completed.returncode}")
    return completed


def is_git_url(source):
    return "://" in source or source.startswith("git@") or source.endswith(".git")


def is_git_repository(path):
    """A work tree with its `.git`, or a bare repository."""
    return (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())


def obtain_source(source):
    """The SDK's source directory at the pinned commit; never modified by this script."""
    path = Path(source).expanduser()
    if not is_git_url(source) and path.is_dir() and not is_git_repository(path):
        # A plain directory (an unpacked release, a copy): the commit cannot be checked, the
        # version can.
        version = read_version(path)
        if version != PINNED_VERSION:
            fail(f"{path} holds okta-sdk-python {version or '(unknown)'}, not {PINNED_VERSION}")
        print(f"sdk-suite: using {path} (okta-sdk-python {version}; not a git checkout, so "
              f"commit {PINNED_COMMIT} is assumed from the version)")
        return path.resolve()
    if not is_git_url(source) and not path.is_dir():
        fail(f"SDK_SUITE_SOURCE={source} is neither a directory nor a git URL")
    if shutil.which("git") is None:
        fail("git is required to obtain the SDK from a git URL or checkout")
    origin = str(path.resolve()) if path.is_dir() else source
    clone = CLONES / f"okta-sdk-python-{PINNED_COMMIT}"
    if not (clone / ".git").exists():
        CLONES.mkdir(exist_ok=True)
        print(f"sdk-suite: cloning {origin} into {clone}")
        attempt = subprocess.run(["git", "clone", "--quiet", "--no-checkout", origin, str(clone)])
        if attempt.returncode != 0:
            shutil.rmtree(clone, ignore_errors=True)
            fail(f"could not clone {origin}; set SDK_SUITE_SOURCE to a local copy of "
                 f"okta-sdk-python {PINNED_VERSION} (commit {PINNED_COMMIT})")
    checkout = subprocess.run(
        ["git", "-C", str(clone), "checkout", "--quiet", "--detach", PINNED_COMMIT])
    if checkout.returncode != 0:
        # A clone without the pinned commit is no use later either.
        shutil.rmtree(clone, ignore_errors=True)
        fail(f"{origin} has no commit {PINNED_COMMIT} (okta-sdk-python {PINNED_VERSION})")
    return clone


def read_version(path):
    """The `version` of the source's pyproject.toml, or None."""
    pyproject = path / "pyproject.toml"
    if not pyproject.exists():
        return None
    for line in pyproject.read_text(errors="replace").splitlines():
        if line.strip().startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    return None


def ensure_venv(source):
    """.venv-sdk-suite with the SDK's requirements, its test requirements and the SDK itself
    (a .pth line pointing at the source, so the source directory is neither built in nor
    written to). Rebuilt only when the source or its requirement files change."""
    requirements = [source / "requirements.txt", source / "test-requirements.txt"]
    fingerprint = hashlib.sha256(str(source).encode())
    for file in requirements:
        fingerprint.update(file.read_bytes() if file.exists() else b"")
    stamp = VENV / f"installed-{fingerprint.hexdigest()[:16]}"
    python = VENV / "bin" / "python"
    if stamp.exists():
        return python
    print(f"sdk-suite: installing the SDK's requirements into {VENV.name}/")
    shutil.rmtree(VENV, ignore_errors=True)
    run([sys.executable, "-m", "venv", str(VENV)])
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    for file in requirements:
        if file.exists():
            run(install + ["-r", str(file)])
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    (Path(site) / "okta-sdk-suite-source.pth").write_text(f"{source}\n")
    stamp.touch()
    return python


def emulator_binary():
    given = os.environ.get("SDK_SUITE_EMULATOR")
    if given:
        return Path(given)
    run(["cargo", "build", "--quiet", "--bin", "okta-emulator"], cwd=REPO)
    return REPO / "target" / "debug" / "okta-emulator"


def start_emulator(binary, token, admin_token, log):
    process = subprocess.Popen(
        [str(binary), "--org", f"acme:{token}", "--admin-token", admin_token,
         "--search-lag-ms", "0", "--log-lag-ms", "0", "--rate-limit-scale", "0"],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )
    line = process.stdout.readline()
    if not line:
        process.wait()
        fail(f"okta-emulator exited {process.returncode} before it was ready (log: {log.name})")
    return process, json.loads(line)["url"]


def load_known_failures():
    known = {}
    for number, line in enumerate(KNOWN_FAILURES.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or fields[1] not in CLASSES or not fields[2].strip():
            fail(f"{KNOWN_FAILURES.name}:{number}: want `test id<TAB>class<TAB>reason` with "
                 f"class one of {', '.join(CLASSES)}")
        known[fields[0]] = (fields[1], fields[2].strip())
    return known


def outcomes(junit_xml):
    """(file, test id, passed, first line of the failure) for every test that ran."""
    results = []
    for case in ElementTree.parse(junit_xml).iter("testcase"):
        if case.find("skipped") is not None:
            continue
        module, _, klass = case.get("classname", "").rpartition(".")
        file = module.rsplit(".", 1)[-1] + ".py"
        test_id = f"{file}::{klass}::{case.get('name')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        reason = ""
        if problem is not None:
            reason = (problem.get("message") or problem.text or "").strip().splitlines()
            reason = reason[0][:160] if reason else ""
        results.append((file, test_id, problem is None, reason))
    return results


def report(results, known, files):
    print()
    print("| family | run | pass |")
    print("|---|---|---|")
    total_run = total_pass = 0
    for file, family in FAMILIES:
        if file not in files:
            continue
        ran = [r for r in results if r[0] == file]
        passed = sum(1 for r in ran if r[2])
        total_run += len(ran)
        total_pass += passed
        print(f"| {family} | {len(ran)} | {passed} |")
    print(f"| **total** | **{total_run}** | **{total_pass}** |")
    failures = [r for r in results if not r[2]]
    by_class = {}
    for _, test_id, _, message in failures:
        kind, why = known.get(test_id, ("unclassified", message))
        by_class.setdefault(kind, []).append((test_id, why))
    for kind in list(CLASSES) + ["unclassified"]:
        if kind in by_class:
            title = CLASSES.get(kind, "unclassified (not in scripts/sdk_suite/known_failures.tsv)")
            print(f"\n{title}: {len(by_class[kind])}")
            for test_id, why in by_class[kind]:
                print(f"  {test_id}: {why}")
    passing_ids = {r[1] for r in results if r[2]}
    stale = sorted(test_id for test_id in known if test_id in passing_ids)
    if stale:
        print(f"\nlisted in known_failures.tsv but passing now (remove them): {len(stale)}")
        for test_id in stale:
            print(f"  {test_id}")
    return len(by_class.get("unclassified", []))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=os.environ.get("SDK_SUITE_SOURCE") or DEFAULT_SOURCE,
                        help="okta-sdk-python: a directory, a git checkout or a git URL "
                             "(default: SDK_SUITE_SOURCE, else Okta's repository)")
    parser.add_argument("-k", dest="keyword", help="only tests matching this pytest -k expression")
    parser.add_argument("files", nargs="*", help="only these of the counted files")
    arguments = parser.parse_args()
    counted = [file for file, _ in FAMILIES]
    for file in arguments.files:
        if file not in counted:
            fail(f"{file} is not one of the counted files: {', '.join(counted)}")

    known = load_known_failures()
    source = obtain_source(arguments.source)
    python = ensure_venv(source)
    binary = emulator_binary()
    token, admin_token = secrets.token_hex(16), secrets.token_hex(16)
    # The emulator's log and pytest's results of the last run stay for a look at a failure.
    CLONES.mkdir(exist_ok=True)
    junit = CLONES / "last-run.xml"
    junit.unlink(missing_ok=True)
    with open(CLONES / "emulator.log", "w") as log:
        emulator, url = start_emulator(binary, token, admin_token, log)
        try:
            environment = dict(
                os.environ,
                MOCK_TESTS="false",
                OKTA_CLIENT_ORGURL=f"{url}/acme",
                OKTA_CLIENT_TOKEN=token,
                OKTA_TESTING_TESTINGDISABLEHTTPSCHECK="true",
                SDK_SUITE_RESET_URL=f"{url}/_emulator/reset",
                SDK_SUITE_ADMIN_TOKEN=admin_token,
                PYTHONPATH=str(HERE),
                PYTHONDONTWRITEBYTECODE="1",
            )
            files = arguments.files or counted
            command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                       "-p", "no:randomly", "-p", "reset_plugin", "--tb=no", "-rN",
                       f"--junitxml={junit}"]
            if arguments.keyword:
                command += ["-k", arguments.keyword]
            command += [f"tests/integration/{file}" for file in files]
            print(f"sdk-suite: okta-emulator at {url}, running {len(files)} file(s) live")
            subprocess.run(command, cwd=source, env=environment)
        finally:
            emulator.terminate()
            emulator.wait()
    if not junit.exists():
        fail("pytest wrote no results")
    unclassified = report(outcomes(junit), known, arguments.files or counted)
    sys.exit(1 if unclassified else 0)

if __name__ == "__main__":
    main()
