// Package deploy holds what runs License Central outside the dev stack: the production image
// (Dockerfile), the Temporal cluster's dynamic config, and the Kubernetes manifests in k8s/. It has no
// code of its own; its tests check those files and ../docker-compose.yml without a Docker engine or a
// cluster: go test ./deploy/...
package deploy
