/** 0 success, 1 a model, provider or check failed, 2 the command or the config was wrong. */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;
