import { LfError, parseExpiry, type ResolvedProject } from "../../runtime/index.js";
import { generateKey, keyDigest, openKeyStore, type KeyStore, type StoredKey } from "../../runtime/keys/index.js";
import { exitCodes } from "../exit-codes.js";
import { withProject } from "../load-runtime.js";

export interface KeysCreateOptions {
  project?: string;
  /** Comma-separated `namespace/name`; default: this project alone. */
  projects?: string;
  models?: string;
  rpm?: string;
  tpm?: string;
  daily?: string;
  monthly?: string;
  expires?: string;
  json?: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `lf keys create NAME`: a new key in the project's store, printed once; only its digest is kept. */
export function keysCreateCommand(name: string, options: KeysCreateOptions): Promise<number> {
  return withStore(options.project, async (store, project) => {
    if (!NAME.test(name)) return usage(`a key's name is letters, digits, '.', '_' and '-' (at most 128), not "${name}"`);
    const numbers: Record<"rpm" | "tpm" | "daily" | "monthly", number | undefined> = { rpm: undefined, tpm: undefined, daily: undefined, monthly: undefined };
    for (const field of ["rpm", "tpm", "daily", "monthly"] as const) {
      const text = options[field];
      if (text === undefined) continue;
      const value = Number(text);
      const whole = field === "rpm" || field === "tpm";
      if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) return usage(`--${field} must be a ${whole ? "whole " : ""}number above 0, not "${text}"`);
      numbers[field] = value;
    }
    const expiresAt = options.expires === undefined ? undefined : parseExpiry(options.expires);
    if (options.expires !== undefined && expiresAt === undefined) return usage(`--expires must be a date (2026-12-31) or an ISO time, not "${options.expires}"`);
    const budget = numbers.daily === undefined && numbers.monthly === undefined ? undefined : { ...(numbers.daily === undefined ? {} : { daily: numbers.daily }), ...(numbers.monthly === undefined ? {} : { monthly: numbers.monthly }) };
    const key = generateKey();
    const entry: StoredKey = {
      name,
      projects: list(options.projects) ?? [project.key],
      models: list(options.models),
      rpm: numbers.rpm,
      tpm: numbers.tpm,
      budget,
      expiresAt,
      createdAt: Date.now(),
      revokedAt: undefined,
    };
    await store.create(keyDigest(key), entry);
    if (options.json) process.stdout.write(`${JSON.stringify({ key, ...shown(entry) }, null, 2)}\n`);
    else {
      process.stdout.write(`${key}\n`);
      console.error(`Created key ${name} in ${store.describe} for ${entry.projects!.join(", ")}. It is shown this once: only its SHA-256 digest is kept.`);
    }
    return exitCodes.ok;
  });
}

/** `lf keys list`: every key of the store, revoked ones included; never a key itself. */
export function keysListCommand(options: { project?: string; json?: boolean }): Promise<number> {
  return withStore(options.project, async (store) => {
    const keys = await store.list();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(keys.map(shown), null, 2)}\n`);
      return exitCodes.ok;
    }
    if (keys.length === 0) {
      process.stdout.write(`No keys in ${store.describe}.\n`);
      return exitCodes.ok;
    }
    const now = Date.now();
    for (const key of keys) {
      const state = key.revokedAt !== undefined ? "revoked" : key.expiresAt !== undefined && key.expiresAt <= now ? "expired" : "active";
      const limits = [
        `projects ${key.projects?.join(",") ?? "all"}`,
        `models ${key.models?.join(",") ?? "all"}`,
        ...(key.rpm === undefined ? [] : [`rpm ${key.rpm}`]),
        ...(key.tpm === undefined ? [] : [`tpm ${key.tpm}`]),
        ...(key.budget?.daily === undefined ? [] : [`daily $${key.budget.daily}`]),
        ...(key.budget?.monthly === undefined ? [] : [`monthly $${key.budget.monthly}`]),
        ...(key.expiresAt === undefined ? [] : [`expires ${new Date(key.expiresAt).toISOString()}`]),
      ];
      process.stdout.write(`${key.name}  ${state}  ${limits.join("  ")}\n`);
    }
    return exitCodes.ok;
  });
}

/** `lf keys revoke NAME`: every instance reading the store refuses it from its next request. */
export function keysRevokeCommand(name: string, options: { project?: string }): Promise<number> {
  return withStore(options.project, async (store) => {
    if (!(await store.revoke(name, Date.now()))) {
      console.error(`error: no key named ${name} in ${store.describe}`);
      return exitCodes.failure;
    }
    console.error(`Revoked key ${name}.`);
    return exitCodes.ok;
  });
}

function withStore(path: string | undefined, command: (store: KeyStore, project: ResolvedProject) => Promise<number>): Promise<number> {
  return withProject(path, async (project) => {
    const store = openKeyStore(project);
    try {
      return await command(store, project);
    } catch (error) {
      if (error instanceof LfError && error.code === "invalid_request") return usage(error.message);
      throw error;
    } finally {
      await store.close();
    }
  });
}

function shown(key: StoredKey): Record<string, unknown> {
  return {
    name: key.name,
    projects: key.projects ?? null,
    models: key.models ?? null,
    rpm: key.rpm ?? null,
    tpm: key.tpm ?? null,
    budget: key.budget ?? null,
    expires: key.expiresAt === undefined ? null : new Date(key.expiresAt).toISOString(),
    created: new Date(key.createdAt).toISOString(),
    revoked: key.revokedAt === undefined ? null : new Date(key.revokedAt).toISOString(),
  };
}

function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  return items.length === 0 ? undefined : items;
}

function usage(message: string): number {
  console.error(`error: ${message}`);
  return exitCodes.usage;
}
