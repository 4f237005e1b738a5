/** Where the JSON API is mounted; modules that build absolute links to their own routes need it. */
export const API_PREFIX = '/api/v1'
