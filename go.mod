module github.com/slsim/slsim

go 1.26.8

require (
	github.com/looplab/fsm v1.0.3
	github.com/stretchr/testify v1.12.1
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	pgregory.net/rapid v1.3.0 // indirect
)
