# Helpers for the scripts (sourced, not run): install Debian packages when root.
need() { command -v "$1" >/dev/null 2>&1; }
apt_updated=0
apt_install() {
    need apt-get || return 1
    [ "$(id -u)" = 0 ] || return 1
    if [ $apt_updated = 0 ]; then apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

