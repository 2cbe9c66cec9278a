import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_QUEUE } from '../core/pool/bull-pool';

const dir = join(__dirname, '..', 'deploy', 'k8s');
type Doc = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, any>;
};

function load(): Map<string, Doc> {
  const out = new Map<string, Doc>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    for (const d of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      expect(d.errors, f).toEqual([]);
      const doc = d.toJS() as Doc;
      expect(doc.apiVersion, f).toBeTruthy();
      expect(doc.kind, f).toBeTruthy();
      out.set(`${doc.kind}/${doc.metadata?.name ?? ''}`, doc);
    }
  }
  return out;
}

describe('deploy/ manifests and Dockerfile', () => {
  const docs = load();

  it('every manifest parses and names its kind, apiVersion and (except the namespace) namespace', () => {
    for (const [key, d] of docs)
      if (d.kind !== 'Namespace' && d.kind !== 'Kustomization')
        expect([key, d.metadata?.namespace]).toEqual([key, 'quantdesk']);
    const kust = docs.get('Kustomization/')!;
    for (const r of kust.spec === undefined ? ((kust as any).resources as string[]) : [])
      expect(readdirSync(dir)).toContain(r);
  });

  it('Deployments select their pod labels, and the worker runs `quantdesk worker` against the Redis Service', () => {
    for (const name of ['redis', 'quantdesk-worker']) {
      const dep = docs.get(`Deployment/${name}`)!;
      expect(dep.spec!.selector.matchLabels).toEqual(dep.spec!.template.metadata.labels);
      const c = dep.spec!.template.spec.containers[0];
      expect(c.image).toBeTruthy();
      expect(c.resources.limits.cpu).toBeTruthy();
    }
    const args: string[] = docs.get('Deployment/quantdesk-worker')!.spec!.template.spec.containers[0].args;
    const redis = args[args.indexOf('--redis') + 1];
    const svc = docs.get('Service/redis')!;
    expect(redis).toBe(`redis://${svc.metadata!.name}.quantdesk.svc:${svc.spec!.ports[0].port}`);
    expect(args[args.indexOf('--queue') + 1]).toBe(DEFAULT_QUEUE);
    expect(Number(args[args.indexOf('--concurrency') + 1])).toBeLessThanOrEqual(
      Number(docs.get('Deployment/quantdesk-worker')!.spec!.template.spec.containers[0].resources.limits.cpu),
    );
  });

  it('autoscaling targets the worker: KEDA on the BullMQ wait list of the same queue, or an HPA on CPU', () => {
    const so = docs.get('ScaledObject/quantdesk-worker')!;
    expect(so.spec!.scaleTargetRef.name).toBe('quantdesk-worker');
    const trig = so.spec!.triggers[0];
    expect(trig.type).toBe('redis');
    expect(trig.metadata.listName).toBe(`bull:${DEFAULT_QUEUE}:wait`);
    expect(Number(trig.metadata.listLength)).toBeGreaterThan(0);
    const hpa = docs.get('HorizontalPodAutoscaler/quantdesk-worker')!;
    expect(hpa.spec!.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'quantdesk-worker' });
    expect(hpa.spec!.maxReplicas).toBeGreaterThan(hpa.spec!.minReplicas);
  });

  it('the Dockerfile builds the CLI and runs `quantdesk worker`', () => {
    const df = readFileSync(join(__dirname, '..', 'deploy', 'Dockerfile'), 'utf8');
    expect(df).toMatch(/^FROM node:20/m);
    expect(df).toContain('node scripts/build.mjs cli');
    expect(df).toMatch(/ENTRYPOINT \["node", "bin\/quantdesk.js", "worker"\]/);
    expect(df).toMatch(/^USER node$/m);
  });
});
