/**
 * Schemas every resource shares. Those with an `$id` are added to the app once (`addSchema`) and
 * referenced with {@link ref}, so `/openapi.json` names them the same way in every route.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** A `$ref` to a shared schema that keeps the schema's static type for handlers. */
export function ref<T extends TSchema>(schema: T): ReturnType<typeof Type.Unsafe<Static<T>>> {
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id!));
}

/** The one error shape of every 4xx and 5xx answer. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ pattern: '^SLC_ERR_[A-Z_]+$', description: 'stable code' }),
      message: Type.String({ description: "the error's message; 'internal error' for 5xx" }),
    }),
  },
  { $id: 'Error', description: 'every error answer' },
);

// Queue and topic names follow the library's rule (src/validate.ts), checked here too so a bad
// name is refused before any handle is made for it.
const NAME = { pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:-]*$', minLength: 1, maxLength: 128 };

/** A queue or topic name. */
export const Name = Type.String({ ...NAME, description: 'letters, digits and _ . : -' });

/** A job id: automatic (digits) or the producer's own. */
export const JobId = Type.String({ pattern: '^[A-Za-z0-9_.:@/+=-]+$', maxLength: 256 });

/** A page window. */
export const Offset = Type.Integer({ minimum: 0, default: 0 });
/** Items per page. */
export const Limit = Type.Integer({ minimum: 1, maximum: 1000 });

/** Error answers every route may give (documented once). */
export const errorResponses = {
  '4xx': ref(ErrorBody),
  '5xx': ref(ErrorBody),
} as const;

/** Shared schemas, added to the app before any route. */
export const sharedSchemas: TSchema[] = [ErrorBody];
