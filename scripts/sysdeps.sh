#!/usr/bin/env bash
# Install the Debian packages fupin-ledger's reports and browser tests use:
# a CJK font for PDF notices, Chromium for the Fava page tests, poppler for PDF checks,
# nginx for the auth-proxy test of the Fava set-up, Java 17+ for the Spark roll-up engine.
# Idempotent; does nothing where they are present; never fails the build when apt is absent.
set -u
need=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# nginx: tests/fava/test_auth_proxy.py runs docs/nginx-fupin.conf in front of `fupin serve`
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
# Java 17+: `fupin rollup --engine spark` and its engine-equality test (pyspark 4); Debian 12's
# default-jre-headless is 17, Debian 13's 21
java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])' || need+=(default-jre-headless)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "sysdeps: apt-get not found; please install: ${need[*]}" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo"
echo "sysdeps: installing ${need[*]}"
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
  || echo "sysdeps: could not install ${need[*]}; PDF and browser tests will skip" >&2
exit 0
