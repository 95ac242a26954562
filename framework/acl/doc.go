// Package acl decides whether a request may invoke a model method, exactly as LoopBack 3 scores and
// resolves its ACLs (spec lb3.md section 3, scopes in 2.6).
//
// The package knows no HTTP, no Echo and no database: data it needs (dynamic ACL rows, static role
// mappings, instance ownership) comes through the small interfaces DynamicACLs, RoleMappings and
// Owners, which the framework implements on top of the store. A Checker is made per request; it
// caches role answers so that a request costs at most one role-mapping lookup, however many rules
// name roles, and it asks a role only when resolution actually reaches a rule naming it.
package acl
