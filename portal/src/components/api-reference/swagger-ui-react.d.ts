/** The props of `swagger-ui-react` this portal uses (the package ships no type declarations). */
declare module 'swagger-ui-react' {
  import type { ComponentType } from 'react';

  export interface SwaggerUIProps {
    /** Where the OpenAPI document is read from. */
    readonly url?: string;
    /** HTTP methods "Try it out" may send; `[]` turns it off. */
    readonly supportedSubmitMethods?: readonly string[];
    readonly deepLinking?: boolean;
  }

  const SwaggerUI: ComponentType<SwaggerUIProps>;
  export default SwaggerUI;
}
