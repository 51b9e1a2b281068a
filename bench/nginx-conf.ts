/**
 * The nginx configuration of the benchmark backends: 2 workers (the machine's
 * core count), no logging, long keep-alive, a small 200 answer naming the
 * address that served it. Every bench uses the same, so their figures compare.
 */
export function nginxBackendConf(opts: {
  /** nginx's -p prefix (pid and temp paths go there). */
  readonly prefix: string;
  /** `address:port` to listen on. */
  readonly listen: readonly string[];
  readonly workerConnections: number;
  readonly backlog?: number;
}): string {
  const p = opts.prefix;
  const backlog = opts.backlog !== undefined ? ` backlog=${opts.backlog}` : '';
  return `worker_processes 2;
pid ${p}/nginx.pid;
daemon off;
error_log stderr warn;
events { worker_connections ${opts.workerConnections}; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  client_body_temp_path ${p}/body;
  proxy_temp_path ${p}/proxy;
  fastcgi_temp_path ${p}/fastcgi;
  uwsgi_temp_path ${p}/uwsgi;
  scgi_temp_path ${p}/scgi;
  server {
${opts.listen.map((a) => `    listen ${a}${backlog};`).join('\n')}
    location / { default_type text/plain; return 200 "hello from $server_addr\\n"; }
  }
}
`;
}
