/** The loopback ports of one Temporal server process running all four services. */
export interface ServerPorts {
  frontend: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

export interface ServerConfig {
  ports: ServerPorts;
  pgPort: number;
  /** Fixed for the life of the cluster's data: Temporal refuses to start on another count. */
  numHistoryShards: number;
}

/**
 * The Temporal server's configuration (`temporal-server --config-file`), modelled on the
 * release's config/development-postgres12.yaml: persistence and visibility in PostgreSQL
 * (plugin postgres12, trust auth as scripts/postgres.sh sets it up), every service bound to
 * 127.0.0.1, no frontend HTTP port, no metrics or pprof listener, one cluster, no archival.
 */
export function serverConfigYaml({ ports, pgPort, numHistoryShards }: ServerConfig): string {
  const store = (database: string, maxConns: number) => `      sql:
        pluginName: postgres12
        databaseName: ${database}
        connectAddr: "127.0.0.1:${pgPort}"
        connectProtocol: tcp
        user: postgres
        password: ""
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: 1h`;
  const service = (grpc: number, membership: number) => `    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true`;
  return `# Written by npm run topology -- up (scripts/topology/server-config.ts); rewritten at each up.
log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${numHistoryShards}
  datastores:
    postgres-default:
${store('temporal', 20)}
    postgres-visibility:
${store('temporal_visibility', 10)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"

services:
  frontend:
${service(ports.frontend, ports.frontendMembership)}
  history:
${service(ports.history, ports.historyMembership)}
  matching:
${service(ports.matching, ports.matchingMembership)}
  worker:
${service(ports.worker, ports.workerMembership)}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:${ports.frontend}"

dcRedirectionPolicy:
  policy: noop

archival:
  history:
    state: disabled
  visibility:
    state: disabled

namespaceDefaults:
  archival:
    history:
      state: disabled
    visibility:
      state: disabled

publicClient:
  hostPort: "127.0.0.1:${ports.frontend}"
`;
}
