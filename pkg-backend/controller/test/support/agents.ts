/**
 * Real foundry-agent processes in managed mode, for tests that need a fleet: each with its own HTTP port
 * (`/metrics`, `/-/ready`, components API), storage folder, name and local attributes, connected to a
 * controller's gRPC address with the agent token. Needs the built agent (pkg-backend/agent/dist).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT } from './controller.js';
import { freePort } from './net.js';

export const AGENT_BIN = new URL('../../../agent/bin/foundry-agent.js', import.meta.url).pathname;

export interface AgentSpec {
  name: string;
  /** Local attributes as `key=value`. */
  attributes: string[];
}

export interface RunningAgent extends AgentSpec {
  /** HTTP port on 127.0.0.1. */
  port: number;
  proc: ChildProcess;
  /** The last lines the process printed. */
  output: string[];
}

export interface RunningAgents {
  agents: RunningAgent[];
  /** SIGTERM to every agent, waits for them to exit, removes their storage. */
  stop(): Promise<void>;
}

/** Starts one agent process per spec against `grpcAddress` (host:port). */
export async function startAgents(
  grpcAddress: string,
  specs: AgentSpec[],
  opts: {
    token?: string;
    onExit?: (a: RunningAgent, code: number | null, signal: string | null) => void;
  } = {},
): Promise<RunningAgents> {
  const storage = mkdtempSync(join(tmpdir(), 'foundry-agents-'));
  const agents: RunningAgent[] = [];
  let stopping = false;
  for (const [i, spec] of specs.entries()) {
    const port = await freePort();
    const proc = spawn(
      process.execPath,
      [
        AGENT_BIN,
        'run',
        `--server.http.listen-addr=127.0.0.1:${port}`,
        `--storage.path=${join(storage, String(i))}`,
        `--controller=grpc://${grpcAddress}`,
        `--token=${opts.token ?? AGENT}`,
        `--agent.name=${spec.name}`,
        ...spec.attributes.flatMap((a) => ['--attribute', a]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const agent: RunningAgent = { ...spec, port, proc, output: [] };
    const keep = (d: Buffer) => {
      agent.output.push(d.toString());
      if (agent.output.length > 100) agent.output.shift();
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    proc.on('exit', (code, signal) => {
      if (!stopping) opts.onExit?.(agent, code, signal);
    });
    agents.push(agent);
  }
  return {
    agents,
    stop: async () => {
      stopping = true;
      for (const a of agents)
        if (a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill('SIGTERM');
      await Promise.all(
        agents.map((a) =>
          a.proc.exitCode === null && a.proc.signalCode === null
            ? new Promise((r) => a.proc.once('exit', r))
            : null,
        ),
      );
      rmSync(storage, { recursive: true, force: true });
    },
  };
}
