/** Portier's version; a unit test keeps it equal to package.json. */
export const PORTIER_VERSION = '0.1.0';

/** The product token written in User-Agent and Server headers (RFC 3261 §20.41). */
export const PRODUCT_TOKEN = `Portier/${PORTIER_VERSION}`;
