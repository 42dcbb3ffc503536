import { type FieldErrors, type Resolver, set } from 'react-hook-form';
import { type FormFieldError, type RequestFormValues, validateRequestForm } from '../../client/request-form';

function toResolverErrors(errors: readonly FormFieldError[]): FieldErrors<RequestFormValues> {
  const result: FieldErrors<RequestFormValues> = {};
  for (const error of errors) {
    set(result, error.name === 'root' ? 'root.schema' : error.name, {
      type: 'schema',
      message: error.message,
    });
  }
  return result;
}

/** Validates with the shared request schema; the server runs the same schema again. */
export const requestFormResolver: Resolver<RequestFormValues> = async (values) => {
  const { errors } = validateRequestForm(values);
  return errors.length === 0 ? { values, errors: {} } : { values: {}, errors: toResolverErrors(errors) };
};
