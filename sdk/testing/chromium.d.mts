/** The flags both apps' browser tests start Chromium with. */
export declare const chromiumArgs: readonly string[];
