package framework

import "github.com/loopgo/loopgo/framework/accounts"

// LoginOptions are the options of Users.Login: client address, user agent, include.
type LoginOptions = accounts.LoginOptions

// Digest returns the stored form (SHA-256, hex) of a raw access token id, as Users.Logout takes it.
func Digest(rawToken string) string { return accounts.Digest(rawToken) }
