/**
 * config: reading component configurations the way the Go memtierd accepts
 * them (JSON with case-insensitive field names, or YAML with lower-case
 * keys), strict about unknown fields, with defaults for fields left out.
 *
 *   decode.ts  ConfigError (with the key path), parseConfigText (JSON, else
 *              YAML), decodeConfig and its field checks (the mover's config)
 *   schema.ts  parseWithSchema: valibot schemas with case-insensitive keys,
 *              defaults for omitted fields, errors naming the key path and
 *              what is accepted; field helpers and componentRef ({name,
 *              config}) for nested components
 *
 * Every daemon component's config goes through schema.ts; the -config loader
 * adds the file, the line and the outer key path to its errors.
 *
 * @module
 */
export * from "./decode.ts";
export * from "./schema.ts";
// Both files have a positiveNumber; the schema one is what components use.
export { positiveNumber } from "./schema.ts";
