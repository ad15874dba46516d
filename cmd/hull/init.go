package main

// libcontainer's container init ("hull init") runs in this package's
// init, before the rest of hull is initialised.
import _ "github.com/hullrt/hull/cmd/hull/internal/earlyinit"
