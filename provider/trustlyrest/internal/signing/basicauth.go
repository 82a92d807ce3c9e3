package signing

// BasicAuthorization returns the Authorization header value for a REST API call:
// "Basic " + Base64(accessID + ":" + accessKey).
func BasicAuthorization(accessID string, accessKey []byte) string {
	return basicHeader(accessID, string(accessKey))
}

// ParseBasicAuthorization reads the accessId and accessKey from an Authorization header value
// of the form "Basic base64(accessId:accessKey)". The scheme name is matched without regard
// to case, the credentials are split at the first ':' (an accessKey may contain ':'), and the
// accessId must not be empty. ok is false for anything else.
//
// Compare the result with the expected credentials using CheckBasicAuthorization or
// ConstantTimeEqual, never with ==.
func ParseBasicAuthorization(h string) (accessID string, accessKey []byte, ok bool) {
	id, key, err := parseBasic(h)
	if err != nil {
		return "", nil, false
	}
	return id, []byte(key), true
}

// CheckBasicAuthorization reports whether the Authorization header value h carries exactly
// the given accessId and accessKey. Both parts are always compared, each in constant time
// independent of the secret's length. An empty accessID or accessKey never matches.
func CheckBasicAuthorization(h, accessID string, accessKey []byte) bool {
	if accessID == "" || len(accessKey) == 0 {
		return false
	}
	id, key, ok := ParseBasicAuthorization(h)
	idOK := ConstantTimeEqual([]byte(id), []byte(accessID))
	keyOK := ConstantTimeEqual(key, accessKey)
	return ok && idOK && keyOK
}
