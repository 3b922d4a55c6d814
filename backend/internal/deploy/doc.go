// Package deploy has no code: its tests check the repository's deployment
// files (backend/Dockerfile, docker-compose.yml, .dockerignore, the GitHub
// workflows and backend/.golangci.yml) without a Docker engine, so that
// `make test` catches a broken one. Where the Docker Compose plugin is
// installed they also run `docker compose config`.
package deploy
