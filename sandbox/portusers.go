package sandbox

import (
	"context"
	"strconv"

	"github.com/moby/moby/client"
)

// PortUser is a container that publishes a host port, so that no other
// container can publish it on the same address.
type PortUser struct {
	Container string
	ID        string
	Project   string // its Compose project, "" when Compose did not make it
	Service   string // its Compose service
	Cluster   string // the kind cluster it is a node of, "" when none
	HostIP    string // the address it is published on; "" or 0.0.0.0 for every address
	HostPort  int
	Proto     string
}

// PortUsers lists the containers that publish hostPort/proto on the host,
// whatever address they publish it on.
func (e *Engine) PortUsers(ctx context.Context, hostPort int, proto string) ([]PortUser, error) {
	if proto == "" {
		proto = "tcp"
	}
	f := make(client.Filters)
	f.Add("publish", strconv.Itoa(hostPort)+"/"+proto)
	list, err := e.api.ContainerList(ctx, client.ContainerListOptions{Filters: f})
	if err != nil {
		return nil, e.wrap(err, "listing the containers that publish port %d", hostPort)
	}
	var out []PortUser
	for _, c := range list.Items {
		for _, p := range c.Ports {
			if int(p.PublicPort) != hostPort || (p.Type != "" && p.Type != proto) {
				continue
			}
			ip := ""
			if p.IP.IsValid() {
				ip = p.IP.String()
			}
			out = append(out, PortUser{
				Container: containerName(c.Names), ID: c.ID,
				Project: c.Labels[ComposeProjectLabel], Service: c.Labels[ComposeServiceLabel],
				Cluster: c.Labels[KindClusterLabel],
				HostIP:  ip, HostPort: hostPort, Proto: proto,
			})
			break
		}
	}
	return out, nil
}

// ImageUsers lists the containers, running or not, created from the image
// with the given ID itself (not from images built on it): they keep it from
// being removed.
func (e *Engine) ImageUsers(ctx context.Context, imageID string) ([]Container, error) {
	cs, err := e.Containers(ctx, ContainerQuery{All: true, Ancestor: imageID})
	if err != nil {
		return nil, err
	}
	var out []Container
	for _, c := range cs {
		if c.ImageID == imageID {
			out = append(out, c)
		}
	}
	return out, nil
}
