#!/usr/bin/env bash
# Builds or fetches the Temporal binaries this project runs on, into .tools/ (ignored).
# Idempotent: a warm machine returns at once. Sources reachable without internet:
# the Go module proxy (Temporal CLI dev server) and Maven Central (Java time-skipping test server).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
TEST_SERVER_VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.31.0}"

if [ ! -x "$tools/bin/temporal" ]; then
  echo "provision: building temporal CLI $TEMPORAL_CLI_VERSION with go install (first run only)..."
  start=$(date +%s)
  GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  echo "provision: temporal CLI built in $(( $(date +%s) - start ))s"
fi

if [ ! -x "$tools/bin/temporal-test-server" ] || [ "$root/scripts/test-server/TestServerLauncher.java" -nt "$tools/bin/temporal-test-server" ]; then
  echo "provision: fetching io.temporal:temporal-test-server:$TEST_SERVER_VERSION from Maven Central..."
  start=$(date +%s)
  mkdir -p "$tools/test-server"
  cat > "$tools/test-server/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.provision</groupId>
  <artifactId>temporal-test-server-launcher</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$TEST_SERVER_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  mvn -q -B -f "$tools/test-server/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$tools/test-server/lib" -DincludeScope=runtime
  mkdir -p "$tools/test-server/classes"
  javac -d "$tools/test-server/classes" -cp "$tools/test-server/lib/*" "$root/scripts/test-server/TestServerLauncher.java"
  cat > "$tools/bin/temporal-test-server" <<LAUNCH
#!/usr/bin/env bash
# Launcher the SDK runs as an existing-path executable: <port> [--enable-time-skipping] [--initial-time ISO]
here="\$(cd "\$(dirname "\$0")/.." && pwd)"
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "\$here/test-server/classes:\$here/test-server/lib/*" TestServerLauncher "\$@"
LAUNCH
  chmod +x "$tools/bin/temporal-test-server"
  echo "provision: test server fetched in $(( $(date +%s) - start ))s"
fi
# PostgreSQL server binaries for the read model, from Debian (scripts/postgres.sh runs its own
# server on 127.0.0.1; the Debian cluster service is not used). Needs root, as on this machine kind.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  echo "provision: installing PostgreSQL from Debian..."
  if [ "$(id -u)" != 0 ]; then echo "provision: run as root, or install the postgresql package first" >&2; exit 1; fi
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
fi
# Chromium for the browser tests of the web pages (playwright-core drives it; its own download is never used).
# A CJK font, so the pages (and the screenshots written for review) show Chinese, not boxes.
if { [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; } || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "provision: installing chromium and a CJK font from Debian..."
  if [ "$(id -u)" != 0 ]; then echo "provision: run as root, or install the chromium and fonts-wqy-microhei packages (or set CHROMIUM_PATH)" >&2; exit 1; fi
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei >/dev/null
fi
echo "provision: ok ($tools/bin, $(ls -d /usr/lib/postgresql/*/bin | tail -1))"
