// Types of python-env.mjs (plain JavaScript so that scripts can use it without tsx).
export declare const projectRoot: string;
export declare const requirementsFile: string;
/** The virtualenv folder: MSCLIP_VENV, .venv in a checkout, or the user's cache folder when installed. */
export declare function venvDirectory(): string;
export declare function venvPython(): string;
/**
 * Returns the path of the virtualenv's python, creating the environment first when it
 * is missing or its requirements changed. Throws an Error with a one-line message.
 */
export declare function ensurePythonEnvironment(options?: { quiet?: boolean }): string;
