# Shared by bin/serve and bin/test: make sure this machine has what the project needs, then a
# virtual environment with the project installed. Sourced, not run.

install_debian_package() {
  # $1: the Debian package, $2: what it is needed for (for the message when we cannot install).
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $1 from Debian's packages…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "Safer Forms needs $2. Install it first: sudo apt-get install $1" >&2
    exit 1
  fi
}

need_debian_package() {
  # $1: a command that must exist, $2: the Debian package that provides it.
  if ! command -v "$1" >/dev/null 2>&1; then
    install_debian_package "$2" "'$1'"
  fi
}

bootstrap() {
  # $1: the pip extras to install, e.g. "[test]" or "".
  local extras="$1"
  PYTHON="${PYTHON:-python3}"
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Safer Forms needs Python 3.11 or newer as '$PYTHON'." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      install_debian_package python3-venv "Python's venv module"
      "$PYTHON" -m venv .venv
    fi
  fi
  # Reinstall only when pyproject.toml or the extras changed.
  local stamp=".venv/.saferforms-installed"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing Safer Forms and its dependencies into .venv…"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
    echo "$want" > "$stamp"
  fi
  need_debian_package npm npm
  bash bin/install-assets
}
