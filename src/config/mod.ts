/**
 * config: reading component configurations the way the Go memtierd accepts
 * them (JSON with case-insensitive field names, or YAML with lower-case
 * keys), strict about unknown fields, with defaults for fields left out.
 *
 *   decode.ts  ConfigError (with the key path), parseConfigText (JSON, else
 *              YAML), decodeConfig and its field checks (the mover's config)
 *   key_location.ts  locateKeyPath: the line of a key path in config
 *              text, following config strings nested inside it
 *   yaml_checks.ts  the line where an unclosed [ or { opened; keys that
 *              are lists or maps (refused before the yaml package warns)
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
// decode.ts's positiveNumber (a check function, for the mover) is left out:
// schema.ts's positiveNumber (a schema) is the one new code uses.
export {
  ConfigError,
  type ConfigField,
  decodeConfig,
  parseConfigText,
  positiveInteger,
} from "./decode.ts";
export * from "./key_location.ts";
export * from "./schema.ts";
// Both files have a positiveNumber; the schema one is what components use.
export { positiveNumber } from "./schema.ts";
