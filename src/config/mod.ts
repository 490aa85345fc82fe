/**
 * config: reading component configurations the way the Go memtierd accepts
 * them (JSON with case-insensitive field names, or YAML with lower-case
 * keys), strict about unknown fields, with defaults for fields left out.
 *
 *   decode.ts  decodeConfig, field checks (positiveInteger, positiveNumber),
 *              ConfigError
 *
 * Used by the mover now; trackers, policies and the -config file later.
 *
 * @module
 */
export * from "./decode.ts";
