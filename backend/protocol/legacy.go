package protocol

// The old setup's text messages, as its Python producer sent them and its
// Node.js relay forwarded them: "key=sq=value", where a picture is the key
// "img" with a JPEG data URL.
const (
	// LegacySep separates key and value.
	LegacySep = "=sq="
	// LegacyPictureKey starts a picture message.
	LegacyPictureKey = "img" + LegacySep
	// LegacyPicturePrefix is all of a picture message before the base64.
	LegacyPicturePrefix = LegacyPictureKey + "data:image/jpeg;base64,"
	// MaxMetaKey and MaxMetaValue bound a "key=sq=value" message.
	MaxMetaKey   = 64
	MaxMetaValue = 4096
)
