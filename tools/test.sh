#!/usr/bin/env bash
# Runs every test of RegistryExchange on a fresh machine: installs what is missing, starts a throw-away PostgreSQL,
# lints the contracts, checks migrations, builds with warnings as errors, runs each test project against SQLite and
# PostgreSQL, and prints "N passed, N failed" as its last line. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
RESULTS="$ROOT/artifacts/test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
passed=0; failed=0; step_failed=0

step() { echo; echo "=== $*"; }
fail_step() { echo "FAILED: $*"; step_failed=$((step_failed + 1)); }

need_apt=()
command -v node >/dev/null || need_apt+=(nodejs npm)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# The token interop test runs a standard OAuth2/JOSE client nobody here wrote (Debian's authlib and jwcrypto).
/usr/bin/python3 -c "import authlib, jwcrypto, requests" 2>/dev/null || need_apt+=(python3-authlib python3-jwcrypto python3-requests)
if [ ${#need_apt[@]} -gt 0 ]; then
  step "apt-get install ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null || fail_step "apt-get install"
fi

step "npm ci (buf, interop clients)"
npm ci --no-audit --no-fund --loglevel=error || fail_step "npm ci"

step "buf lint"
npx buf lint && echo "buf lint: clean" || fail_step "buf lint"

step "PostgreSQL"
PG="$(tools/pg.sh start)" || fail_step "start PostgreSQL"
export RX_TEST_POSTGRES="$PG"
trap 'tools/pg.sh stop' EXIT
echo "RX_TEST_POSTGRES=$RX_TEST_POSTGRES"

step "dotnet build (Release, warnings are errors)"
dotnet tool restore >/dev/null || fail_step "dotnet tool restore"
dotnet build RegistryExchange.sln -c Release -warnaserror -nologo -clp:ErrorsOnly || fail_step "build"

step "migrations match the model (has-pending-model-changes)"
for p in src/RegistryExchange.Storage.Sqlite src/RegistryExchange.Storage.Postgres src/RegistryExchange.Storage.SqlServer src/RegistryExchange.Agent; do
  [ -d "$p" ] || continue
  if dotnet ef migrations has-pending-model-changes --project "$p" --configuration Release --no-build >"$RESULTS/ef-$(basename "$p").log" 2>&1; then
    echo "$p: no pending model changes"
  else
    cat "$RESULTS/ef-$(basename "$p").log"; fail_step "pending model changes in $p"
  fi
done

step "SQL Server and PostgreSQL migrations script (SQL Server cannot run here: scripting is its check)"
for p in SqlServer Postgres; do
  if dotnet ef migrations script --idempotent --project "src/RegistryExchange.Storage.$p" --configuration Release --no-build \
       -o "$RESULTS/migrations-$p.sql" >"$RESULTS/ef-script-$p.log" 2>&1; then
    echo "$p: $(wc -l < "$RESULTS/migrations-$p.sql") lines of idempotent migration script"
  else
    cat "$RESULTS/ef-script-$p.log"; fail_step "migrations script for $p"
  fi
done

for proj in tests/*/*.csproj; do
  name="$(basename "$proj" .csproj)"
  step "dotnet test $name"
  log="$RESULTS/$name.log"
  dotnet test "$proj" -c Release --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line="$(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -1)"
  if [ -n "$line" ]; then
    f=$(echo "$line" | sed -E 's/.*Failed: +([0-9]+).*/\1/')
    p=$(echo "$line" | sed -E 's/.*Passed: +([0-9]+).*/\1/')
    passed=$((passed + p)); failed=$((failed + f))
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && { failed=$((failed + 1)); echo "FAILED: $name exited $rc"; }
  else
    failed=$((failed + 1)); echo "FAILED: $name produced no summary (exit $rc)"
  fi
done

failed=$((failed + step_failed))
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
