import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/environment';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5433/approvals' };

describe('the tracing setting', () => {
  it('is off unless set, takes an http(s) OTLP endpoint, and refuses anything else naming the variable', () => {
    expect(loadConfig(base).OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBeUndefined();
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }).OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBe('http://127.0.0.1:4318/v1/traces');
    for (const bad of ['collector:4318', 'ftp://collector/v1/traces', `http://${'x'.repeat(3000)}`]) {
      expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: bad })).toThrow(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: /);
    }
  });
});
