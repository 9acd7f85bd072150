#!/usr/bin/env bash
# Runs every ```sh block of docs/production.md, in order, on this machine: a scratch PostgreSQL
# role and database, two replicas and a delivery worker on loopback ports, nginx with TLS in
# front of them on a loopback port. Nothing outside a scratch directory is touched:
#  - paths the guide uses (/etc/tally, /var/lib/tally, /opt/tally …) are rooted in that directory
#    (/opt/tally is this checkout, its .venv the installed release), ports 80/443/8081/8082 are
#    mapped to free loopback ports;
#  - host tools are stand-ins in $SCRATCH/bin: `systemctl` runs a unit's ExecStart from the copied
#    unit file (Environment=, then EnvironmentFile=, %i) in the background; `systemd-analyze`
#    and `nginx` run the real programs on path-mapped copies; `apt-get install` checks each package
#    exists (apt-cache show); `useradd`, `chown` and `sudo -u` do nothing / run as is; `curl` to
#    the public host goes to the local nginx and trusts the scratch certificate.
# Blocks fenced ```sh install (venv + pip) only run with GUIDE_FULL=1 (a fresh venv: slow).
# Usage: scripts/check-production-guide.sh [PG_ADMIN_URL]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GUIDE="$ROOT/docs/production.md"
PG_ADMIN_URL=${1:-${TALLY_TEST_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}}
SCRATCH=$(mktemp -d /tmp/tally-guide.XXXXXX)
export SCRATCH ROOT
ID=$$
export PG_ADMIN_URL PG_DB_NAME="tally_guide_$ID" PG_DB_USER="tally_guide_$ID"
export PG_DB_HOST=127.0.0.1 PUBLIC_HOST=tally.example.com
export WECHAT_APPID=wx-guide-official WECHAT_SECRET=guide-official-secret
export WECHAT_CALLBACK_TOKEN=guide-callback-token MP_APPID=wx-guide-miniapp
export MP_SECRET=guide-miniapp-secret DINGTALK_CLIENT_ID=ding-guide-app
export DINGTALK_CLIENT_SECRET=guide-dingtalk-secret DINGTALK_ROBOT_CODE=ding-guide-robot
export DINGTALK_CORP_ID=ding-guide-corp
export WECHAT_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG
export WECHAT_TEMPLATES='{"statement_issued": {"template_id": "guide-statement-tpl"}}'
export CARD_TEMPLATES='{"approval": {"template_id": "guide-approval.schema"}, "dispute": {"template_id": "guide-dispute.schema"}, "handover": {"template_id": "guide-handover.schema"}}'
export PG_DB_PASSWORD=$(openssl rand -hex 12)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export PORT_8081=$(free_port) PORT_8082=$(free_port) PORT_443=$(free_port) PORT_80=$(free_port)
OPT="$ROOT"
[ "${GUIDE_FULL:-0}" = 1 ] && OPT="$SCRATCH/opt/tally"
export OPT

# the guide's paths and ports, rooted in the scratch directory
map_paths() {
  sed -e "s#/opt/tally#$OPT#g" -e "s#/etc/tally#$SCRATCH/etc/tally#g" \
      -e "s#/var/lib/tally#$SCRATCH/var/lib/tally#g" -e "s#/var/backups/tally#$SCRATCH/backups#g" \
      -e "s#/etc/systemd/system#$SCRATCH/etc/systemd/system#g" \
      -e "s#/etc/nginx#$SCRATCH/etc/nginx#g" -e "s#/var/log/nginx#$SCRATCH/log#g" \
      -e "s#\b8081\b#$PORT_8081#g" -e "s#\b8082\b#$PORT_8082#g" \
      -e "s#listen \(\[::\]:\)\?443#listen 127.0.0.1:$PORT_443#g" \
      -e "s#listen \(\[::\]:\)\?80;#listen 127.0.0.1:$PORT_80;#g"
}
export -f map_paths
mkdir -p "$SCRATCH"/{bin,run,log,etc/systemd/system,etc/nginx/conf.d}

cleanup() {
  local rc=$?
  for pidfile in "$SCRATCH"/run/*.pid; do
    [ -e "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 0.5
  psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS ${PG_DB_NAME} WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS ${PG_DB_NAME}_restore WITH (FORCE)" \
    -c "DROP ROLE IF EXISTS ${PG_DB_USER}" >/dev/null 2>&1 || true
  if [ $rc -ne 0 ]; then
    echo "--- service logs (kept in $SCRATCH/log) ---" >&2
    tail -n 20 "$SCRATCH"/log/*.log >&2 2>/dev/null || true
  else
    rm -rf "$SCRATCH"
  fi
  exit $rc
}
trap cleanup EXIT

# ---- stand-ins for host tools ------------------------------------------------------------------
cat >"$SCRATCH/bin/systemctl" <<'EOF'
#!/usr/bin/env bash
# systemctl for the guide check: units are the copies in $SCRATCH/etc/systemd/system.
set -euo pipefail
unit_file() { local u=${1%.service}; local base=${u%@*}; [[ $u == *@* ]] && base="$base@";
  echo "$SCRATCH/etc/systemd/system/$base.service"; }
instance() { local u=${1%.service}; [[ $u == *@* ]] && echo "${u#*@}" || echo ""; }
field() { grep -E "^$1=" "$2" | sed "s/^$1=//"; }
start() {
  local u=${1%.service}; [ "$u" = nginx ] && { nginx -s reload 2>/dev/null || nginx; return; }
  local file; file=$(unit_file "$u"); local i; i=$(instance "$u")
  [ -f "$file" ] || { echo "no unit $file" >&2; exit 5; }
  local mapped; mapped=$(sed "s/%i/$i/g" "$file" | map_paths)
  local cmd envs envfile kind
  cmd=$(field ExecStart <(echo "$mapped")); envs=$(field Environment <(echo "$mapped") || true)
  envfile=$(field EnvironmentFile <(echo "$mapped")); kind=$(field Type <(echo "$mapped"))
  local dir; dir=$(field WorkingDirectory <(echo "$mapped")); mkdir -p "$dir"
  (
    cd "$dir"
    set -a; eval "export $envs"; . "$envfile"; set +a
    if [ "$kind" = oneshot ]; then exec $cmd; fi
    exec setsid $cmd >>"$SCRATCH/log/$u.log" 2>&1 &
    echo $! >"$SCRATCH/run/$u.pid"
  )
}
stop() {
  local u=${1%.service}; local pidfile="$SCRATCH/run/$u.pid"
  [ "$u" = nginx ] && { nginx -s quit || true; return; }
  [ -f "$pidfile" ] || return 0
  local pid; pid=$(cat "$pidfile"); kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$pidfile"
}
action=$1; shift
[ "${1:-}" = --now ] && shift
case $action in
  daemon-reload) ;;
  enable) for u in "$@"; do [ -f "$(unit_file "$u")" ] || { echo "no unit $u" >&2; exit 5; }; start "$u"; done ;;
  start) for u in "$@"; do start "$u"; done ;;
  stop) for u in "$@"; do stop "$u"; done ;;
  restart|reload) for u in "$@"; do stop "$u"; start "$u"; done ;;
  is-active) for u in "$@"; do kill -0 "$(cat "$SCRATCH/run/${u%.service}.pid")"; done; echo active ;;
  *) echo "systemctl stand-in: $action not supported" >&2; exit 2 ;;
esac
EOF
cat >"$SCRATCH/bin/systemd-analyze" <<'EOF'
#!/usr/bin/env bash
# real systemd-analyze verify, on copies of the units with the guide's paths mapped
set -euo pipefail
[ "$1" = verify ] || exec /usr/bin/systemd-analyze "$@"
shift; dir=$(mktemp -d "$SCRATCH/verify.XXXX"); files=()
for f in "$@"; do
  name=$(basename "$f"); src=$f  # the block's paths are mapped already, the contents not
  [ -f "$src" ] || src=$(dirname "$src")/$(echo "$name" | sed 's/@[^.]*\./@./')
  map_paths <"$src" | sed -e '/^User=/d' -e '/^Group=/d' >"$dir/$name"; files+=("$dir/$name")
done
/usr/bin/systemd-analyze verify "${files[@]}"
EOF
cat >"$SCRATCH/bin/nginx" <<'EOF'
#!/usr/bin/env bash
# the real nginx, run by an nginx.conf of its own that includes the (mapped) conf.d copies
set -euo pipefail
conf="$SCRATCH/nginx.conf"
mkdir -p "$SCRATCH/nginx-temp" "$SCRATCH/nginx-mapped"
for f in "$SCRATCH"/etc/nginx/conf.d/*.conf; do  # IPv4 loopback only: the [::] listens go
  sed '/listen \[::\]/d' "$f" | map_paths >"$SCRATCH/nginx-mapped/$(basename "$f")"
done
cat >"$conf" <<CONF
pid $SCRATCH/run/nginx.pid;
error_log $SCRATCH/log/nginx-error.log;
events {}
http {
  client_body_temp_path $SCRATCH/nginx-temp/body; proxy_temp_path $SCRATCH/nginx-temp/proxy;
  fastcgi_temp_path $SCRATCH/nginx-temp/fcgi; uwsgi_temp_path $SCRATCH/nginx-temp/uwsgi;
  scgi_temp_path $SCRATCH/nginx-temp/scgi;
  access_log $SCRATCH/log/nginx-access.log;
  include $SCRATCH/nginx-mapped/*.conf;
}
CONF
exec /usr/sbin/nginx -e "$SCRATCH/log/nginx-error.log" -c "$conf" "$@"
EOF
cat >"$SCRATCH/bin/curl" <<'EOF'
#!/usr/bin/env bash
# curl to https://$PUBLIC_HOST goes to the local nginx and trusts the scratch certificate
extra=()
for a in "$@"; do
  case $a in
    https://$PUBLIC_HOST*) extra=(--connect-to "$PUBLIC_HOST:443:127.0.0.1:$PORT_443"
                               --cacert "$SCRATCH/etc/tally/tls/fullchain.pem") ;;
    http://$PUBLIC_HOST*) extra=(--connect-to "$PUBLIC_HOST:80:127.0.0.1:$PORT_80") ;;
  esac
done
exec /usr/bin/curl "${extra[@]}" "$@"
EOF
cat >"$SCRATCH/bin/apt-get" <<'EOF'
#!/usr/bin/env bash
# apt-get install: only check that each named package exists
for p in "$@"; do case $p in -*|install) ;; *) apt-cache show "$p" >/dev/null || exit 100 ;; esac; done
EOF
printf '#!/bin/sh\nexit 0\n' >"$SCRATCH/bin/useradd"
printf '#!/bin/sh\nexit 0\n' >"$SCRATCH/bin/chown"
cat >"$SCRATCH/bin/sudo" <<'EOF'
#!/usr/bin/env bash
[ "$1" = -u ] && shift 2
exec "$@"
EOF
chmod +x "$SCRATCH"/bin/*
export PATH="$SCRATCH/bin:$PATH"

# ---- the guide's blocks, in order ------------------------------------------------------------
"$ROOT/.venv/bin/python" - "$GUIDE" "$SCRATCH/blocks" <<'EOF'
import pathlib, re, sys
text = pathlib.Path(sys.argv[1]).read_text()
out = pathlib.Path(sys.argv[2]); out.mkdir()
for n, (tag, body) in enumerate(re.findall(r"^```sh( install)?\n(.*?)^```$", text, re.S | re.M)):
    (out / f"{n:02d}{'-install' if tag else ''}.sh").write_text(body)
try:  # the Prometheus configuration and rules must at least be YAML
    import yaml
except ImportError:
    yaml = None
for body in re.findall(r"^```yaml\n(.*?)^```$", text, re.S | re.M):
    if yaml:
        assert isinstance(yaml.safe_load(body), dict), body
EOF
[ -n "$(ls "$SCRATCH/blocks")" ] || { echo "no sh blocks in $GUIDE" >&2; exit 1; }
if [ "${GUIDE_FULL:-0}" = 1 ]; then
  mkdir -p "$OPT" && git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 cp --parents -t "$OPT")
fi
for block in "$SCRATCH"/blocks/*.sh; do
  name=$(basename "$block")
  if [[ $name == *-install.sh && "${GUIDE_FULL:-0}" != 1 ]]; then
    echo "skipped $name (installing a release into a fresh venv: GUIDE_FULL=1)"; continue
  fi
  echo "running block $name ($(date +%T))"
  (cd "$SCRATCH" && map_paths <"$block" >"$block.mapped" && bash -euo pipefail "$block.mapped") \
    >"$SCRATCH/log/block-$name.log" 2>&1 || {
      echo "block $name failed:" >&2; cat "$block.mapped" >&2
      echo "--- its output ---" >&2; cat "$SCRATCH/log/block-$name.log" >&2; exit 1; }
  if [ -f "$SCRATCH/etc/tally/tally.env" ] && ! grep -q guide-check "$SCRATCH/etc/tally/tally.env"; then
    # no WeChat or DingTalk on this machine: no stream connection, API calls fail fast on loopback
    cat >>"$SCRATCH/etc/tally/tally.env" <<ENV
# guide-check: no internet here
TALLY_DINGTALK_STREAM=false
TALLY_WECHAT_API_BASE=http://127.0.0.1:9/
TALLY_DINGTALK_OPENAPI_BASE=http://127.0.0.1:9
ENV
  fi
done
echo "production guide: every block ran ($(ls "$SCRATCH"/blocks/*.sh | wc -l) blocks)"
