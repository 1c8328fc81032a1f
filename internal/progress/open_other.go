//go:build !unix

package progress

// openNoFollow is empty where the platform has no O_NOFOLLOW; the files are
// checked with Lstat before they are opened instead.
const openNoFollow = 0
