// The OGraf v1 manifest (`*.ograf.json`) and the check of a graphic's data against the JSON schema its manifest
// declares, both with ajv. Kept out of protocol/index.ts: only the controller checks manifests and data, and
// ajv (which compiles schemas to functions) stays out of the template's bundle.
//
// The schema below is the normative v1 manifest schema
// (https://ograf.ebu.io/v1/specification/json-schemas/graphics/schema.json) with its `$ref`s written in place,
// plus the bounds Pitchside holds a graphic to (stepCount, string lengths). The `ograf` npm package carries
// TypeScript definitions only, so the schema is spelt here.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { MAX_OGRAF_STEPS, OGRAF_V1_SCHEMA_URL, type OGrafData } from './ograf.ts';

const vendorFields = { '^v_.*': {} };

const numberConstraint = {
  type: 'object',
  properties: {
    max: { type: 'number' },
    min: { type: 'number' },
    exact: { type: 'number' },
    ideal: { type: 'number' },
  },
  patternProperties: vendorFields,
  additionalProperties: false,
};
const booleanConstraint = {
  type: 'object',
  properties: { exact: { type: 'boolean' }, ideal: { type: 'boolean' } },
  patternProperties: vendorFields,
  additionalProperties: false,
};

export const OGRAF_V1_MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    $schema: { type: 'string', const: OGRAF_V1_SCHEMA_URL },
    id: { type: 'string', minLength: 1, maxLength: 200 },
    version: { type: 'string', maxLength: 100 },
    main: { type: 'string', minLength: 1, maxLength: 512 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    author: {
      type: 'object',
      properties: { name: { type: 'string' }, email: { type: 'string' }, url: { type: 'string' } },
      required: ['name'],
      patternProperties: vendorFields,
      additionalProperties: false,
    },
    customActions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          description: { type: 'string' },
          schema: { type: 'object' },
        },
        required: ['id', 'name'],
        patternProperties: vendorFields,
        additionalProperties: false,
      },
    },
    supportsRealTime: { type: 'boolean' },
    supportsNonRealTime: { type: 'boolean' },
    stepCount: { type: 'integer', minimum: 0, maximum: MAX_OGRAF_STEPS, default: 1 },
    schema: { type: 'object' },
    renderRequirements: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          resolution: {
            type: 'object',
            properties: { width: numberConstraint, height: numberConstraint },
          },
          frameRate: numberConstraint,
          accessToPublicInternet: booleanConstraint,
        },
        patternProperties: vendorFields,
        additionalProperties: false,
      },
    },
  },
  required: ['$schema', 'id', 'name', 'main', 'supportsRealTime', 'supportsNonRealTime'],
  patternProperties: vendorFields,
  additionalProperties: false,
} as const;

/** The manifest fields Pitchside reads; any other valid field (vendor `v_*` included) is kept as uploaded. */
export interface OGrafManifest {
  $schema: string;
  id: string;
  version?: string;
  name: string;
  description?: string;
  main: string;
  supportsRealTime: boolean;
  supportsNonRealTime: boolean;
  stepCount?: number;
  schema?: Record<string, unknown>;
  [field: string]: unknown;
}

export type ManifestCheck = { ok: true; manifest: OGrafManifest } | { ok: false; field: string; message: string };

// strict: false because OGraf data schemas carry GDD keywords (`gddType`, `gddOptions`) ajv does not know.
const ajv = new Ajv2020({ strict: false, allErrors: false, useDefaults: false });
addFormats(ajv);
const validateManifest = ajv.compile(OGRAF_V1_MANIFEST_SCHEMA);

/** The manifest checked against the v1 schema; a refusal names the field as `manifest.<path>`. */
export function checkManifest(input: unknown): ManifestCheck {
  if (!validateManifest(input)) {
    const { field, message } = described(validateManifest.errors, 'manifest');
    return { ok: false, field, message: `${field} ${message}` };
  }
  const manifest = input as OGrafManifest;
  if (!manifest.supportsRealTime)
    return {
      ok: false,
      field: 'manifest.supportsRealTime',
      message: 'manifest.supportsRealTime must be true: Pitchside renders graphics live.',
    };
  if (manifest.schema !== undefined) {
    try {
      ajv.compile(manifest.schema);
    } catch (error) {
      return {
        ok: false,
        field: 'manifest.schema',
        message: `manifest.schema is not a usable JSON schema: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  return { ok: true, manifest };
}

/**
 * The data check of a manifest's schema (compiled once per schema text: a graphic's schema never changes).
 * A graphic without a schema accepts any object.
 */
export function dataCheck(schema: Record<string, unknown> | undefined): (data: OGrafData) => {
  field: string;
  message: string;
} | null {
  if (schema === undefined) return () => null;
  const key = JSON.stringify(schema);
  let validate = compiledData.get(key);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiledData.set(key, validate);
  }
  const check = validate;
  return (data) => {
    if (check(data)) return null;
    return described(check.errors, '');
  };
}

const compiledData = new Map<string, ValidateFunction>();

/** ajv's first error as a dotted field under `root` and what is wrong with it (without the field's name). */
function described(errors: ErrorObject[] | null | undefined, root: string): { field: string; message: string } {
  const error = errors?.[0];
  if (error === undefined) return { field: root, message: 'is not valid' };
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  // A missing or unknown property is named itself, not its parent.
  if (error.keyword === 'required') path.push(String(error.params['missingProperty']));
  if (error.keyword === 'additionalProperties') path.push(String(error.params['additionalProperty']));
  const message =
    error.keyword === 'required'
      ? 'is required'
      : error.keyword === 'additionalProperties'
        ? 'is not a field of this schema'
        : (error.message ?? 'is not valid');
  return { field: [root, ...path].filter((part) => part !== '').join('.'), message };
}
