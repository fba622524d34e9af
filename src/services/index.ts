/**
 * Service classes (PS3.4): Verification, Storage, Query/Retrieve, N-services; SCU and SCP.
 * @module services
 */
export {}
