# shellcheck shell=bash
# Makes sure a Chromium is installed for the checkout example's browser test
# (examples/checkout/e2e_test.go), which fails instead of skipping when CI=true and no
# browser is found. Source it (". .ci/chromium.sh").
#
# - Does nothing when /usr/bin/chromium (or chromium, chromium-browser, google-chrome on
#   PATH) is already there.
# - Otherwise, as root, installs Debian's "chromium" package with apt-get. Not as root it
#   says so and fails, since nothing else could install it.
# - Prints the browser's version, which also proves it starts.

_pbchrome_main() {
  local say="== chromium:"
  local bin=""

  _pbchrome_find() {
    local name
    if [ -x /usr/bin/chromium ]; then
      echo /usr/bin/chromium
      return 0
    fi
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
      if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return 0
      fi
    done
    return 1
  }

  if bin=$(_pbchrome_find); then
    echo "$say found $bin"
  else
    if [ "$(id -u)" -ne 0 ]; then
      echo "$say no Chromium found and not root, cannot install Debian's chromium package" >&2
      return 1
    fi
    echo "$say installing Debian's chromium package (and a font for readable screenshots)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null || return 1
    if ! bin=$(_pbchrome_find); then
      echo "$say the chromium package installed but no chromium binary was found" >&2
      return 1
    fi
    echo "$say installed $bin"
  fi

  local version
  if ! version=$("$bin" --headless --no-sandbox --disable-gpu --version 2>/dev/null); then
    echo "$say $bin does not start" >&2
    return 1
  fi
  echo "$say $version"
}

_pbchrome_main || {
  echo "== chromium: setup failed" >&2
  false
}
