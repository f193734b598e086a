package api

import "github.com/gin-gonic/gin"

// SignedIn exposes the pages' middleware to the handler tests, which mount a page of their own on it.
func (s *Server) SignedIn(c *gin.Context) { s.signedIn(c) }
