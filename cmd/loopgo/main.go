// Command loopgo is Loopgo's generator: `loopgo new DIR` writes a project, `loopgo model add`,
// `loopgo acl add` and `loopgo method add` extend one. Run it with
// go run github.com/loopgo/loopgo/cmd/loopgo.
package main

import "github.com/loopgo/loopgo/framework/scaffold"

func main() { scaffold.Main() }
